package dev.tributary.protocol.message;

/**
 * Marker for produce and fetch messages and their replies: serialized by the hand-written binary
 * {@code DataPlaneSerializer} (bytes copied, never decoded per record) and sent on Artery's large
 * message channel.
 */
public interface DataPlaneMessage {}
