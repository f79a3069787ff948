package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kafka's size-prefixed frames out of TCP chunks cut anywhere, each held to the limit of its moment. */
class KafkaFrameDecoderTest {

  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "kafka-frame-decoder-test");
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static ByteString frame(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return ByteString.fromByteBuffer(ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip());
  }

  private static ByteString size(int size) {
    return ByteString.fromByteBuffer(ByteBuffer.allocate(4).putInt(size).flip());
  }

  private static List<String> decode(IntSupplier limit, List<ByteString> chunks) throws Exception {
    return Source.from(chunks).via(Flow.fromGraph(new KafkaFrameDecoder(limit)))
        .map(ByteString::utf8String).runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void framesComeOutWholeHoweverTheBytesArrive() throws Exception {
    ByteString wire = frame("first").concat(frame("")).concat(frame("the third frame"));
    List<ByteString> byteByByte = new ArrayList<>();
    for (int i = 0; i < wire.size(); i++) {
      byteByByte.add(wire.slice(i, i + 1));
    }
    List<String> expected = List.of("first", "", "the third frame");
    assertEquals(expected, decode(() -> 100, List.of(wire)), "all in one chunk");
    assertEquals(expected, decode(() -> 100, byteByByte), "one byte at a time");
    assertEquals(expected, decode(() -> 100, List.of(wire.slice(0, 7), wire.slice(7, 13), wire.drop(13))),
        "cut inside a size and inside a body");
  }

  @Test
  void theLimitIsAskedForEachFrame() throws Exception {
    AtomicInteger limit = new AtomicInteger(8);
    AtomicInteger asked = new AtomicInteger();
    IntSupplier login = () -> {
      asked.incrementAndGet();
      return limit.get();
    };
    // The first frame is within 8 bytes; the limit is raised before the second is read, as a login does.
    List<String> read = Source.from(List.of(frame("login"), frame("a request after the login")))
        .via(Flow.fromGraph(new KafkaFrameDecoder(login)))
        .map(f -> {
          limit.set(1024);
          return f.utf8String();
        })
        .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of("login", "a request after the login"), read);
    assertTrue(asked.get() >= 2, "asked per frame, " + asked.get() + " time(s)");

    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> decode(() -> 8, List.of(frame("login"), frame("a request without the login"))));
    assertInstanceOf(KafkaFrameDecoder.FrameTooLarge.class, refused.getCause());
    assertTrue(refused.getCause().getMessage().contains("a frame of 27 bytes, over the 8"), refused.getCause().getMessage());
  }

  @Test
  void aSizeAloneOverTheLimitOrNegativeIsRefusedWithoutWaitingForTheBody() {
    // The sources never end: the refusal comes from the size, not from the end of the bytes.
    for (int bad : new int[] {1025, -1, Integer.MAX_VALUE}) {
      ExecutionException refused = assertThrows(ExecutionException.class, () -> Source.single(size(bad))
          .concat(Source.never()).via(Flow.fromGraph(new KafkaFrameDecoder(() -> 1024)))
          .runWith(Sink.seq(), system).toCompletableFuture().get(10, TimeUnit.SECONDS), "size " + bad);
      assertInstanceOf(KafkaFrameDecoder.FrameTooLarge.class, refused.getCause(), "size " + bad);
    }
  }

  @Test
  void aPeerGoneMidFrameEndsTheStreamAfterItsWholeFrames() throws Exception {
    ByteString wire = frame("whole").concat(frame("cut off"));
    assertEquals(List.of("whole"), decode(() -> 100, List.of(wire.dropRight(3))));
    assertEquals(List.of("whole"), decode(() -> 100, List.of(frame("whole"), size(5).take(2))));
  }
}
