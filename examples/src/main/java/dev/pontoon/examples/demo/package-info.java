/**
 * A teaching demo: three to five nodes N1..NN in one process, narrated as a timeline of the
 * specification's examples (electing a leader from term 0, replicating "data1") and edge cases
 * (a failed leader, a split brain, conflicting logs repaired by the leader).
 */
package dev.pontoon.examples.demo;
