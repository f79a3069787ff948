package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The repository's Dockerfile, read as far as the tests need: its instructions (continuation lines
 * joined, comments dropped) and the stages they belong to. Not a full parser: no ARG substitution
 * or heredocs, which the file does not use.
 */
final class Dockerfile {

  /** One instruction: its keyword in upper case and the rest of its line. */
  record Instruction(String keyword, String arguments) {}

  private final List<List<Instruction>> stages;
  private final List<String> comments;

  private Dockerfile(List<List<Instruction>> stages, List<String> comments) {
    this.stages = stages;
    this.comments = comments;
  }

  static Path path() {
    return Overlay.module().getParent().resolve("Dockerfile");
  }

  static Dockerfile read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(path());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path(), e);
    }
    List<List<Instruction>> stages = new ArrayList<>();
    List<String> comments = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#")) {
        comments.add(trimmed.substring(1).strip());
        continue;
      }
      if (trimmed.isEmpty() && pending.isEmpty()) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      pending.append(trimmed);
      String text = pending.toString().strip();
      pending.setLength(0);
      int space = text.indexOf(' ');
      String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
      String arguments = space < 0 ? "" : text.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        stages.add(new ArrayList<>());
      } else if (stages.isEmpty()) {
        fail(path() + ": " + keyword + " before the first FROM");
      }
      stages.get(stages.size() - 1).add(new Instruction(keyword, arguments));
    }
    return new Dockerfile(stages, comments);
  }

  int stageCount() {
    return stages.size();
  }

  /** The instructions of the last stage: what the image is. */
  List<Instruction> finalStage() {
    return stages.get(stages.size() - 1);
  }

  /** The arguments of every {@code keyword} instruction of the final stage, in order. */
  List<String> finalStage(String keyword) {
    return finalStage().stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
  }

  /** The last {@code keyword} instruction of the final stage (the one that counts), or a failure. */
  String last(String keyword) {
    List<String> all = finalStage(keyword);
    if (all.isEmpty()) {
      fail(path() + " has no " + keyword + " in its final stage");
    }
    return all.get(all.size() - 1);
  }

  /** The base image of stage {@code index} (FROM's first word). */
  String baseImage(int index) {
    return stages.get(index).get(0).arguments().split("\\s+")[0];
  }

  List<String> comments() {
    return comments;
  }
}
