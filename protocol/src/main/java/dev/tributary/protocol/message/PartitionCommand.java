package dev.tributary.protocol.message;

/** A message a partition entity accepts. The broker adds internal messages of its own. */
public interface PartitionCommand {
  String topic();

  int partition();
}
