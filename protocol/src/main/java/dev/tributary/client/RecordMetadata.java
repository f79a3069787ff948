package dev.tributary.client;

/** Where a produced record was stored. */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {}
