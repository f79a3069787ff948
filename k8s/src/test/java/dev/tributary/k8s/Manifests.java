package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Rendered objects, each read into its typed fabric8 model. */
record Manifests(List<HasMetadata> objects) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  Manifests {
    objects = List.copyOf(objects);
  }

  /**
   * Reads every document of {@code yaml}. fabric8 picks the class by apiVersion and kind; a kind it
   * has no model for comes back as a {@code GenericKubernetesResource}.
   */
  static Manifests parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<KubernetesResource> documents = YAML.readerFor(KubernetesResource.class).readValues(yaml)) {
      while (documents.hasNextValue()) {
        KubernetesResource document = documents.nextValue();
        if (document == null) {
          continue; // an empty document between two ---
        }
        if (!(document instanceof HasMetadata object)) {
          return fail("not a Kubernetes object: " + document.getClass().getName());
        }
        objects.add(object);
      }
    } catch (IOException e) {
      return fail("the rendered YAML does not parse: " + e.getMessage());
    }
    return new Manifests(objects);
  }

  /** The objects of one kind. */
  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The only object of {@code type}; fails when there are none or several. */
  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    assertEquals(1, found.size(), "objects of kind " + type.getSimpleName());
    return found.get(0);
  }

  /** The object of {@code type} named {@code name}. */
  <T extends HasMetadata> T named(Class<T> type, String name) {
    return all(type).stream()
        .filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst()
        .orElseGet(() -> fail("no " + type.getSimpleName() + " named " + name + " among "
            + all(type).stream().map(o -> o.getMetadata().getName()).toList()));
  }

  /** "Kind name", for messages. */
  static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }
}
