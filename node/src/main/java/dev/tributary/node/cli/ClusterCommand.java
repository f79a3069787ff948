package dev.tributary.node.cli;

import static dev.tributary.node.cli.ClientOptions.await;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tributary cluster describe}. */
@Command(name = "cluster", description = "Show the cluster.",
    subcommands = {ClusterCommand.Describe.class})
final class ClusterCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin HelpOption help;

  @Override
  public void run() {
    throw UsageErrors.missingSubcommand(spec);
  }

  @Command(name = "describe",
      description = "The cluster id, the active controller and its epoch, then every registered broker.")
  static final class Describe implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        MetadataResponse m = await(c.metadata());
        PrintWriter out = spec.commandLine().getOut();
        out.println("ClusterId: " + m.clusterId() + "\tController: " + m.controller()
            + "\tControllerEpoch: " + m.controllerEpoch());
        for (BrokerInfo b : m.brokerInfo()) {
          out.println("Broker: " + b.id() + "\tAddress: " + b.address() + "\tStatus: " + b.status()
              + "\tEpoch: " + b.epoch() + "\tDirectory: " + b.directoryId()
              + (b.kafkaAddress().isEmpty() ? "" : "\tKafka: " + b.kafkaAddress())
              + (b.newDirectory() ? "\t(new directory: holds none of its old data)" : ""));
        }
      }
      return 0;
    }
  }
}
