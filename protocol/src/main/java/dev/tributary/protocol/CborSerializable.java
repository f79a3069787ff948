package dev.tributary.protocol;

/** Marker for messages serialized with Jackson CBOR (bound in protocol's reference.conf). */
public interface CborSerializable {}
