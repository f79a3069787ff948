package dev.tributary.node.replication;

import dev.tributary.node.partition.ReplicaCommand;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.PartitionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Serves one {@link ReplicaFetch} on the leader's broker (a child of its data gateway), then
 * stops. It asks each partition's replica here for its part. If none has anything new, it asks
 * each to say when it next stores a write, and reads again at the first one or after the fetch's
 * {@code maxWaitMs} (Kafka's long-polling fetch with {@code min.bytes} 1). The answer holds at most
 * {@link #MAX_RESPONSE_BYTES} of records (Artery's large frames are 4 MiB): partitions past that
 * get none this time and are served by the next fetch.
 */
public final class LeaderFetchSession {

  private LeaderFetchSession() {}

  static final int MAX_RESPONSE_BYTES = Tributary.MAX_BATCH_BYTES - 256 * 1024;

  /** How long a replica here may take to answer its part before the session answers without it. */
  private static final Duration PART_TIMEOUT = Duration.ofSeconds(5);

  interface Command extends NoSerializationVerificationNeeded {}

  private record Part(PartitionData data) implements Command {}

  private record Woken(ReplicaCommand.Appended appended) implements Command {}

  private enum Timeout implements Command { WAIT_OVER, PARTS_LATE }

  /**
   * @param deliver sends a command to the partition's replica on this broker
   */
  public static Behavior<Command> create(ReplicaFetch fetch, Consumer<PartitionCommand> deliver) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> read(context, timers, fetch, deliver, true)));
  }

  private static Behavior<Command> read(ActorContext<Command> context, TimerScheduler<Command> timers,
      ReplicaFetch fetch, Consumer<PartitionCommand> deliver, boolean mayWait) {
    ActorRef<PartitionData> parts = context.messageAdapter(PartitionData.class, Part::new);
    Map<String, PartitionData> answers = new LinkedHashMap<>();
    for (ReplicaFetch.PartitionFetch p : fetch.partitions()) {
      answers.put(TopicNames.partitionId(p.topic(), p.partition()), null);
      deliver.accept(new ReplicaCommand.Read(fetch.replicaId(), p, fetch.maxBytes(), parts));
    }
    timers.startSingleTimer(Timeout.PARTS_LATE, Timeout.PARTS_LATE, PART_TIMEOUT);
    return Behaviors.receive(Command.class)
        .onMessage(Part.class, part -> {
          answers.replace(TopicNames.partitionId(part.data().topic(), part.data().partition()), part.data());
          if (answers.containsValue(null)) {
            return Behaviors.same();
          }
          timers.cancel(Timeout.PARTS_LATE);
          if (!mayWait || fetch.maxWaitMs() <= 0 || anythingFor(answers.values())) {
            return answer(fetch, answers);
          }
          return waitForData(context, timers, fetch, deliver, answers);
        })
        .onMessageEquals(Timeout.PARTS_LATE, () -> answer(fetch, answers))
        .onMessage(Woken.class, late -> Behaviors.same())
        .onMessageEquals(Timeout.WAIT_OVER, Behaviors::same)
        .build();
  }

  /**
   * Waits for a write to any of the partitions. A write that brings its own batches (it starts
   * where this fetch reads) is answered with them at once, beside the other partitions' empty
   * answers from the read before; any other wake reads every partition again.
   */
  private static Behavior<Command> waitForData(ActorContext<Command> context, TimerScheduler<Command> timers,
      ReplicaFetch fetch, Consumer<PartitionCommand> deliver, Map<String, PartitionData> answers) {
    ActorRef<ReplicaCommand.Appended> woken = context.messageAdapter(ReplicaCommand.Appended.class, Woken::new);
    for (ReplicaFetch.PartitionFetch p : fetch.partitions()) {
      deliver.accept(new ReplicaCommand.WatchAppends(p.topic(), p.partition(), fetch.replicaId(), p.fetchOffset(),
          fetch.maxBytes(), woken));
    }
    timers.startSingleTimer(Timeout.WAIT_OVER, Timeout.WAIT_OVER, Duration.ofMillis(fetch.maxWaitMs()));
    return Behaviors.receive(Command.class)
        .onMessage(Woken.class, w -> {
          timers.cancel(Timeout.WAIT_OVER);
          PartitionData data = w.appended().data();
          String id = TopicNames.partitionId(w.appended().topic(), w.appended().partition());
          if (data != null && answers.containsKey(id)) {
            answers.put(id, data);
            return answer(fetch, answers);
          }
          return read(context, timers, fetch, deliver, false);
        })
        .onMessageEquals(Timeout.WAIT_OVER, () -> read(context, timers, fetch, deliver, false))
        .onMessage(Part.class, late -> Behaviors.same())
        .build();
  }

  private static boolean anythingFor(Iterable<PartitionData> answers) {
    for (PartitionData d : answers) {
      if (d.error() != ErrorCode.NONE || d.diverged() || d.records().length > 0) {
        return true;
      }
    }
    return false;
  }

  private static Behavior<Command> answer(ReplicaFetch fetch, Map<String, PartitionData> answers) {
    List<PartitionData> out = new ArrayList<>(answers.size());
    int bytes = 0;
    for (ReplicaFetch.PartitionFetch p : fetch.partitions()) {
      PartitionData d = answers.get(TopicNames.partitionId(p.topic(), p.partition()));
      if (d == null) {
        d = PartitionData.failed(p, ErrorCode.REQUEST_TIMED_OUT, "the leader's replica did not answer in time");
      } else if (bytes > 0 && bytes + d.records().length > MAX_RESPONSE_BYTES) {
        // Over the frame: this partition gets nothing now; its offsets are as they were. The
        // first partition with records always goes, so a batch near max.message.bytes is copied too.
        d = new PartitionData(d.topic(), d.partition(), d.error(), d.message(), d.highWatermark(),
            d.logStartOffset(), d.logEndOffset(), false, -1, -1, null);
      }
      bytes += d.records().length;
      out.add(d);
    }
    fetch.replyTo().tell(new ReplicaFetchResponse(fetch.fetchId(), out));
    return Behaviors.stopped();
  }
}
