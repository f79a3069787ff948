package dev.tributary.protocol;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one way to get at what failed behind the wrappers futures put around it. */
public final class Failures {

  private Failures() {}

  /** {@code error} without its {@link CompletionException} and {@link ExecutionException} wrappers. */
  public static Throwable cause(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
