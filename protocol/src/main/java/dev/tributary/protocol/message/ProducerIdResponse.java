package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;

/** A producer id (from a block the controller leased to the answering broker), or an error. */
public record ProducerIdResponse(ErrorCode error, String errorMessage, long producerId, short epoch)
    implements CborSerializable {}
