package dev.tributary.node;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Every live thread's stack, for a log line that must say what holds a stuck shutdown. */
final class ThreadDump {

  private ThreadDump() {}

  static String ofAllThreads() {
    ThreadInfo[] threads = ManagementFactory.getThreadMXBean().dumpAllThreads(true, true);
    return Arrays.stream(threads).map(ThreadDump::describe).collect(Collectors.joining("\n"));
  }

  // ThreadInfo.toString() cuts every stack at eight frames, too few to see who waits on what.
  private static String describe(ThreadInfo thread) {
    StringBuilder out = new StringBuilder()
        .append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
    if (thread.getLockName() != null) {
      out.append(" on ").append(thread.getLockName());
    }
    if (thread.getLockOwnerName() != null) {
      out.append(" owned by \"").append(thread.getLockOwnerName()).append('"');
    }
    out.append('\n');
    for (StackTraceElement frame : thread.getStackTrace()) {
      out.append("    at ").append(frame).append('\n');
    }
    return out.toString();
  }
}
