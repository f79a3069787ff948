package dev.tributary.journal.segment;

import java.util.Arrays;

/**
 * A growable, sorted list of (key, value) pairs with binary-search lookups. Keys never decrease.
 *
 * <p>One writer thread may {@link #append} while any number of reader threads look up: a reader
 * sees a consistent prefix because the size is published after the element and the arrays are
 * replaced, never changed in place below the published size.
 */
final class LongIndex {

  private volatile long[] keys;
  private volatile long[] values;
  private volatile int size;

  LongIndex() {
    this(16);
  }

  LongIndex(int capacity) {
    keys = new long[Math.max(4, capacity)];
    values = new long[keys.length];
  }

  /** Writer thread only. */
  void append(long key, long value) {
    int n = size;
    if (n > 0 && key < keys[n - 1]) {
      throw new IllegalArgumentException("index keys must not decrease: " + key + " after " + keys[n - 1]);
    }
    if (n == keys.length) {
      values = Arrays.copyOf(values, n * 2);
      keys = Arrays.copyOf(keys, n * 2);
    }
    keys[n] = key;
    values[n] = value;
    size = n + 1;
  }

  int size() {
    return size;
  }

  long key(int i) {
    return keys[i];
  }

  long value(int i) {
    return values[i];
  }

  /** The position of the last entry whose key is at most {@code key}, or -1 if there is none. */
  int floorIndex(long key) {
    int n = size;
    long[] k = keys;
    int low = 0;
    int high = n - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (k[mid] <= key) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
