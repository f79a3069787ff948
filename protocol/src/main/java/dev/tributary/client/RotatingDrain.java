package dev.tributary.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * Takes at most a limit of items from several queues, each in turn until it is empty, starting
 * after the queue where the previous take stopped. A consumer's poll drains its partitions' fetch
 * buffers this way: starting at the same partition each time would starve every partition after
 * one whose buffer refills as fast as polls drain it (Kafka's fetcher rotates too). Not
 * thread-safe: one consumer thread uses it.
 */
final class RotatingDrain {

  private int start;

  <T> List<T> take(List<? extends Queue<T>> queues, int max) {
    List<T> out = new ArrayList<>();
    int n = queues.size();
    for (int i = 0; i < n && out.size() < max; i++) {
      int at = (start + i) % n;
      Queue<T> queue = queues.get(at);
      while (out.size() < max && !queue.isEmpty()) {
        out.add(queue.poll());
      }
      if (out.size() >= max) {
        start = (at + 1) % n;
      }
    }
    return out;
  }
}
