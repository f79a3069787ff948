package dev.tributary.kafka;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.pekko.util.ByteString;

/**
 * Kafka's request and response frames (without their 4-byte size, which the connection's framing
 * adds and strips), read and written with kafka-clients' own header and message classes: the
 * reference codec, never a hand-written one.
 */
final class KafkaCodec {

  private KafkaCodec() {}

  /** A request as it came: its header, and its body read at the header's version. */
  record KafkaRequest(RequestHeader header, AbstractRequest body) {
    ApiKeys apiKey() {
      return header.apiKey();
    }

    short version() {
      return header.apiVersion();
    }
  }

  /**
   * Reads one request frame.
   *
   * @throws InvalidRequestException when the header or the body cannot be read (an unknown API key,
   *     a version this codec does not know, truncated or garbled bytes): Kafka closes the connection
   *     then, and so does the listener
   * @throws org.apache.kafka.common.errors.UnsupportedVersionException for an ApiVersions request
   *     newer than this codec, which Kafka answers instead (see {@link KafkaApis})
   */
  static KafkaRequest decode(ByteString frame) {
    ByteBuffer buffer = frame.asByteBuffer();
    RequestHeader header;
    try {
      header = RequestHeader.parse(buffer);
    } catch (RuntimeException e) {
      throw new InvalidRequestException("unreadable request header: " + e.getMessage(), e);
    }
    if (header.apiKey() == ApiKeys.API_VERSIONS && !header.apiKey().isVersionSupported(header.apiVersion())) {
      throw new org.apache.kafka.common.errors.UnsupportedVersionException(
          "ApiVersions v" + header.apiVersion() + " is newer than this broker's");
    }
    try {
      AbstractRequest body = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
          new ByteBufferAccessor(buffer)).request;
      return new KafkaRequest(header, body);
    } catch (RuntimeException e) {
      throw new InvalidRequestException("unreadable " + header.apiKey().name + " v" + header.apiVersion()
          + " request: " + e.getMessage(), e);
    }
  }

  /**
   * Writes a response frame: the response header for {@code apiKey} at {@code version}, then the
   * body, with any records by reference ({@link RecordsByReference}).
   */
  static ByteString encode(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    short headerVersion = apiKey.responseHeaderVersion(version);
    ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
    MessageSizeAccumulator size = new MessageSizeAccumulator();
    header.addSize(size, cache, headerVersion);
    body.addSize(size, cache, version);
    RecordsByReference writer = new RecordsByReference(size.sizeExcludingZeroCopy());
    header.write(writer, cache, headerVersion);
    body.write(writer, cache, version);
    try {
      return writer.answer(size.totalSize());
    } catch (IllegalStateException e) {
      throw new IllegalStateException(apiKey.name + " v" + version + ": " + e.getMessage(), e);
    }
  }
}
