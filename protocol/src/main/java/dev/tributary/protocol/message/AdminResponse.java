package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;
import java.util.Optional;

/** The outcome of an {@link AdminRequest}: the topic as it is now, or an error. */
public record AdminResponse(ErrorCode error, String errorMessage, Optional<TopicMetadata> topic)
    implements CborSerializable {

  public static AdminResponse ok(TopicMetadata topic) {
    return new AdminResponse(ErrorCode.NONE, "", Optional.ofNullable(topic));
  }

  public static AdminResponse failed(ErrorCode error, String message) {
    return new AdminResponse(error, message, Optional.empty());
  }
}
