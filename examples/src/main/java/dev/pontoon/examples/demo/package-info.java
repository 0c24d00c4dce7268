/** A teaching demo: five nodes in one process, narrated as a timeline of election, replication and failover. */
package dev.pontoon.examples.demo;
