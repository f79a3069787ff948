package dev.tributary.journal.segment;

/**
 * A per-log snapshot file as the engine hands it back: the offset it was taken at and its content,
 * which the engine stores and checks but never interprets (the broker owns the encoding).
 *
 * @param offset every batch below it is reflected in the content, none at or above it
 * @param content the bytes given to {@link StorageEngine#writeProducerSnapshot}
 */
public record ProducerSnapshot(long offset, byte[] content) {}
