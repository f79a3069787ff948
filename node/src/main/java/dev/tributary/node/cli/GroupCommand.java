package dev.tributary.node.cli;

import static dev.tributary.node.cli.ClientOptions.await;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.PartitionRef;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary group list|describe|reset-offsets|delete}. */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Inspect and manage consumer groups.",
    subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.ResetOffsets.class,
        GroupCommand.Delete.class})
final class GroupCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  static GroupRequest.GroupDescription describe(TributaryClient c, String group) {
    GroupRequest.GroupDescription d = await(c.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(group, r)));
    if (d.error() != ErrorCode.NONE) {
      throw new TributaryException(d.error(), d.errorMessage());
    }
    return d;
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The consumer groups with committed offsets or live members, one per line.")
  static final class ListGroups implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        await(c.listGroups()).forEach(System.out::println);
        return 0;
      }
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true,
      description = "State, generation, members, assignment, and committed offset and lag per partition.")
  static final class Describe implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        GroupRequest.GroupDescription d = describe(c, group);
        System.out.println("Group: " + d.groupId() + "\tState: " + d.state() + "\tGeneration: " + d.generation()
            + (d.assignor().isEmpty() ? "" : "\tAssignor: " + d.assignor())
            + "\tMembers: " + d.members().size());
        Map<PartitionRef, String> owners = new TreeMap<>();
        for (GroupRequest.MemberDescription m : d.members()) {
          System.out.println("\tMember: " + m.memberId() + "\tEpoch: " + m.memberEpoch() + "\tTopics: " + m.topics()
              + "\tAssignment: " + m.assignment());
          m.assignment().forEach(p -> owners.put(p, m.memberId()));
        }
        Map<PartitionRef, Long> committed = new TreeMap<>();
        d.offsets().forEach(o -> committed.put(o.partition(), o.offset()));
        owners.keySet().forEach(p -> committed.putIfAbsent(p, -1L));
        System.out.println("TOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tOWNER");
        for (Map.Entry<PartitionRef, Long> e : committed.entrySet()) {
          PartitionRef p = e.getKey();
          long end = await(c.listOffsets(p.topic(), p.partition(), ListOffsets.LATEST)).offset();
          long lag = e.getValue() < 0 ? end : end - e.getValue();
          System.out.println(p.topic() + "\t" + p.partition() + "\t" + (e.getValue() < 0 ? "-" : e.getValue())
              + "\t" + end + "\t" + lag + "\t" + owners.getOrDefault(p, "-"));
        }
      }
      return 0;
    }
  }

  static final class Target {
    @Option(names = "--to-earliest", required = true) boolean earliest;
    @Option(names = "--to-latest", required = true) boolean latest;
    @Option(names = "--to-offset", required = true, paramLabel = "N") Long offset;
    @Option(names = "--to-datetime", required = true, paramLabel = "ISO",
        description = "e.g. 2026-11-26T12:00:00Z: the first offset at or after that time") String datetime;
  }

  @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
      description = "Set the group's committed offsets for a topic (refused while the group has live members).")
  static final class ResetOffsets implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Option(names = "--topic", required = true) String topic;

    @ArgGroup(exclusive = true, multiplicity = "1") Target target;

    @Override
    public Integer call() {
      if (target.offset != null && target.offset < 0) {
        throw new IllegalArgumentException("--to-offset must be >= 0, got " + target.offset);
      }
      Long timestamp = null;
      if (target.datetime != null) {
        try {
          timestamp = Instant.parse(target.datetime).toEpochMilli();
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("--to-datetime must be ISO-8601 like 2026-11-26T12:00:00Z, got '"
              + target.datetime + "'");
        }
      }
      try (TributaryClient c = client.connect()) {
        TopicMetadata t = await(c.metadata()).topics().get(topic);
        if (t == null) {
          throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist");
        }
        List<GroupRequest.CommittedOffset> offsets = new ArrayList<>();
        for (int p = 0; p < t.partitions(); p++) {
          long to;
          if (target.offset != null) {
            var bounds = await(c.listOffsets(topic, p, ListOffsets.LATEST));
            to = Math.max(bounds.logStartOffset(), Math.min(target.offset, bounds.highWatermark()));
          } else if (target.earliest) {
            to = await(c.listOffsets(topic, p, ListOffsets.EARLIEST)).offset();
          } else if (target.latest) {
            to = await(c.listOffsets(topic, p, ListOffsets.LATEST)).offset();
          } else {
            var found = await(c.listOffsets(topic, p, timestamp));
            to = found.offset() >= 0 ? found.offset() : found.highWatermark();
          }
          offsets.add(new GroupRequest.CommittedOffset(new PartitionRef(topic, p), to, ""));
        }
        var response = await(c.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.ResetOffsets(group, offsets, r)));
        if (response.error() != ErrorCode.NONE) {
          throw new TributaryException(response.error(), response.errorMessage());
        }
        offsets.forEach(o -> System.out.println(o.partition().topic() + "\t" + o.partition().partition() + "\t" + o.offset()));
      }
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Forget a group's committed offsets (refused while the group has live members).")
  static final class Delete implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP") String group;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        describe(c, group); // GROUP_ID_NOT_FOUND for a group that never was
        var response = await(c.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.Delete(group, r)));
        if (response.error() != ErrorCode.NONE) {
          throw new TributaryException(response.error(), response.errorMessage());
        }
        System.out.println("Deleted group " + group + ".");
      }
      return 0;
    }
  }
}
