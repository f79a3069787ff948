package dev.tributary.node.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary completion bash|zsh}: picocli's generated completion script for every command
 * and option. One script serves both shells: it loads zsh's {@code bashcompinit} itself when it
 * runs in zsh, as picocli documents.
 */
@Command(name = "completion",
    description = {"Print a shell completion script for tributary.",
        "bash: source <(./tributary completion bash), or save it under /etc/bash_completion.d/.",
        "zsh: source <(./tributary completion zsh) in ~/.zshrc."})
final class CompletionCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin HelpOption help;

  @Parameters(index = "0", paramLabel = "SHELL", converter = CliArgs.Shell.class,
      completionCandidates = CliArgs.Shell.class, description = "bash or zsh.")
  String shell;

  @Override
  public Integer call() {
    picocli.CommandLine root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash(root.getCommandName(), root));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
