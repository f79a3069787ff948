package dev.tributary.node.cli;

import dev.tributary.protocol.record.Compression;
import picocli.CommandLine.Option;

/** {@code --compression}, for every command that produces: one spelling, one help text. */
final class CompressionOption {

  @Option(names = "--compression", defaultValue = "none", paramLabel = "<codec>",
      converter = CliArgs.CompressionConverter.class, completionCandidates = CliArgs.CompressionConverter.class,
      description = "none | gzip | snappy | lz4 | zstd: the codec of each batch, as Kafka's compression.type"
          + " (default: ${DEFAULT-VALUE}).")
  Compression codec;
}
