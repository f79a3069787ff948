package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RotatingDrainTest {

  private static ArrayDeque<String> queue(String name, int items) {
    ArrayDeque<String> q = new ArrayDeque<>();
    IntStream.range(0, items).forEach(i -> q.add(name + i));
    return q;
  }

  /** The queue each item of a take came from, once per queue, in order. */
  private static List<Character> sources(List<String> taken) {
    return taken.stream().map(s -> s.charAt(0)).distinct().toList();
  }

  @Test
  void aTakeThatFillsUpInOneQueueMakesTheNextStartAtTheQueueAfterIt() {
    RotatingDrain drain = new RotatingDrain();
    List<ArrayDeque<String>> queues = List.of(queue("a", 300), queue("b", 300), queue("c", 300));
    assertEquals(List.of('a'), sources(drain.take(queues, 100)));
    assertEquals(List.of('b'), sources(drain.take(queues, 100)));
    assertEquals(List.of('c'), sources(drain.take(queues, 100)));
    assertEquals(List.of('a'), sources(drain.take(queues, 100)));
  }

  @Test
  void aTakeGoesOnToTheNextQueuesUntilItIsFullAndEmptyQueuesAreSkipped() {
    RotatingDrain drain = new RotatingDrain();
    List<ArrayDeque<String>> queues = List.of(queue("a", 30), queue("b", 0), queue("c", 300));
    List<String> first = drain.take(queues, 100);
    assertEquals(100, first.size());
    assertEquals(List.of('a', 'c'), sources(first), "all of a, nothing from the empty b, the rest from c");
    assertEquals(List.of('c'), sources(drain.take(queues, 100)), "it stopped in c: a and b are empty, so c again");
  }

  @Test
  void aTakeShorterThanTheLimitEmptiesEveryQueue() {
    RotatingDrain drain = new RotatingDrain();
    List<ArrayDeque<String>> queues = List.of(queue("a", 3), queue("b", 2));
    assertEquals(List.of("a0", "a1", "a2", "b0", "b1"), drain.take(queues, 100));
    assertEquals(List.of(), drain.take(queues, 100));
    assertEquals(List.of(), drain.take(List.<ArrayDeque<String>>of(), 100), "no queues at all");
  }
}
