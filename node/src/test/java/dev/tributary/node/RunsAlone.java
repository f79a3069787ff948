package dev.tributary.node;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that runs with no other test class beside it: it starts several brokers (child JVMs
 * or in-process clusters) and times their failovers against session timeouts, which a second test
 * class on our two cores would stretch. node's pom runs these in their own surefire execution, one
 * class at a time, after the other classes have run two at a time.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {
  String TAG = "runs-alone";
}
