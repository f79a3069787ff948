package dev.tributary.node.cli;

import static dev.tributary.node.cli.ClientOptions.await;

import dev.tributary.client.GroupAdmin;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.GroupRequest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary group list|describe|reset-offsets|delete}. */
@Command(name = "group", description = "Inspect and manage consumer groups.",
    subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.ResetOffsets.class,
        GroupCommand.Delete.class})
final class GroupCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin HelpOption help;

  @Override
  public void run() {
    throw UsageErrors.missingSubcommand(spec);
  }

  @Command(name = "list", description = "The consumer groups with committed offsets or live members, one per line.")
  static final class ListGroups implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        await(c.listGroups()).forEach(spec.commandLine().getOut()::println);
        return 0;
      }
    }
  }

  @Command(name = "describe",
      description = "State, generation, members, assignment, and committed offset and lag per partition.")
  static final class Describe implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group to describe.") String group;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        GroupAdmin groups = new GroupAdmin(c);
        GroupRequest.GroupDescription d = await(groups.describe(group));
        spec.commandLine().getOut().println("Group: " + d.groupId() + "\tCoordinator: " + d.coordinator() + "\tState: " + d.state() + "\tGeneration: " + d.generation()
            + (d.assignor().isEmpty() ? "" : "\tAssignor: " + d.assignor())
            + "\tMembers: " + d.members().size());
        for (GroupRequest.MemberDescription m : d.members()) {
          spec.commandLine().getOut().println("\tMember: " + m.memberId() + "\tEpoch: " + m.memberEpoch() + "\tTopics: " + m.topics()
              + "\tAssignment: " + m.assignment());
        }
        spec.commandLine().getOut().println("TOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tOWNER");
        for (GroupAdmin.PartitionLag p : await(groups.lag(d))) {
          spec.commandLine().getOut().println(p.topic() + "\t" + p.partition() + "\t" + (p.committedOffset() == null ? "-" : p.committedOffset())
              + "\t" + p.logEndOffset() + "\t" + p.lag() + "\t" + (p.owner() == null ? "-" : p.owner()));
        }
      }
      return 0;
    }
  }

  /** Where reset-offsets moves the group to: exactly one of these (picocli enforces it). */
  static final class Target {
    @Option(names = "--to-earliest", required = true, description = "The log start of every partition.")
    boolean earliest;

    @Option(names = "--to-latest", required = true, description = "The end of every partition.")
    boolean latest;

    @Option(names = "--to-offset", required = true, paramLabel = "<offset>", converter = Ranges.NonNegativeLong.class,
        description = "This offset in every partition.")
    Long offset;

    @Option(names = "--to-datetime", required = true, paramLabel = "<iso-time>", converter = CliArgs.IsoInstant.class,
        description = "e.g. 2026-11-26T12:00:00Z: the first offset at or after that time.")
    Instant datetime;
  }

  @Command(name = "reset-offsets",
      description = "Set the group's committed offsets for a topic (refused while the group has live members).")
  static final class ResetOffsets implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group whose offsets to set.") String group;

    @Option(names = "--topic", required = true, paramLabel = "<topic>", description = "The topic whose offsets to set.")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "1") Target target;

    @Override
    public Integer call() {
      GroupAdmin.ResetTarget to;
      if (target.datetime != null) {
        to = new GroupAdmin.ResetTarget.ToTimestamp(target.datetime.toEpochMilli());
      } else if (target.offset != null) {
        to = new GroupAdmin.ResetTarget.ToOffset(target.offset);
      } else if (target.earliest) {
        to = new GroupAdmin.ResetTarget.Earliest();
      } else {
        to = new GroupAdmin.ResetTarget.Latest();
      }
      try (TributaryClient c = client.connect()) {
        List<GroupRequest.CommittedOffset> stored = await(new GroupAdmin(c).resetOffsets(group, topic, to));
        stored.forEach(o -> spec.commandLine().getOut().println(o.partition().topic() + "\t" + o.partition().partition() + "\t" + o.offset()));
      }
      return 0;
    }
  }

  @Command(name = "delete",
      description = "Forget a group's committed offsets (refused while the group has live members).")
  static final class Delete implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "GROUP", description = "The group to delete.") String group;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        await(new GroupAdmin(c).delete(group));
        spec.commandLine().getOut().println("Deleted group " + group + ".");
      }
      return 0;
    }
  }
}
