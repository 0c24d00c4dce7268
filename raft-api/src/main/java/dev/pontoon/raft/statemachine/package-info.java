/** The state machine SPI that applications implement. */
package dev.pontoon.raft.statemachine;
