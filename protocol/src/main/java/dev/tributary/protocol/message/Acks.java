package dev.tributary.protocol.message;

/** When a produce is answered: after the leader's write, or after every in-sync replica has it. */
public enum Acks {
  LEADER,
  ALL
}
