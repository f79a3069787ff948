package dev.tributary.node.cli;

import dev.tributary.node.tls.DevelopmentCa;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary tls init}: development certificates in a Kubernetes TLS secret's layout. */
@Command(name = "tls", description = "Make TLS certificates for development.",
    subcommands = {TlsCommand.Init.class})
final class TlsCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin HelpOption help;

  @Override
  public void run() {
    throw UsageErrors.missingSubcommand(spec);
  }

  @Command(name = "init",
      description = {"Write a development CA (ca.crt) and one broker and client certificate it issued (tls.crt, "
          + "tls.key) into DIR, valid for 127.0.0.1 and localhost: the layout of a Kubernetes TLS secret and of "
          + "cert-manager's output. Existing files are never overwritten. Not for production."})
  static final class Init implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to write (created if missing).")
    Path dir;

    @Option(names = "--name", paramLabel = "<dns-name-or-ip>",
        description = "One more name the certificate is valid for, e.g. *.tributary-headless.streaming.svc (repeatable).")
    List<String> names = new ArrayList<>();

    @Option(names = "--days", defaultValue = "365", paramLabel = "<days>", converter = Ranges.Positive.class,
        description = "How long the certificates are valid (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
      List<Path> written = DevelopmentCa.writeTo(dir, names, Duration.ofDays(days));
      PrintWriter out = spec.commandLine().getOut();
      for (Path file : written) {
        out.println("Wrote " + file);
      }
      return 0;
    }
  }
}
