package dev.tributary.k8s;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the fields that no model knew. Every fabric8 model object keeps what it did not recognise
 * in its {@code additionalProperties} instead of failing (Jackson's FAIL_ON_UNKNOWN_PROPERTIES
 * never fires past an any-setter), so a typo such as {@code publishNotReadyAdresses} would parse
 * silently, be dropped by the API server, and leave the default in force. This walks the whole
 * object graph and names each one by its path.
 */
final class UnknownFields {

  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private UnknownFields() {}

  /** Paths such as {@code spec.template.spec.containers[0].readinesProbe}; empty when all fields are known. */
  static List<String> in(Object model) {
    List<String> found = new ArrayList<>();
    walk(model, "", found, Collections.newSetFromMap(new IdentityHashMap<>()));
    return found;
  }

  private static void walk(Object value, String path, List<String> found, Set<Object> seen) {
    if (value == null || !seen.add(value)) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", found, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        walk(e.getValue(), join(path, String.valueOf(e.getKey())), found, seen);
      }
      return;
    }
    if (!value.getClass().getName().startsWith(MODEL_PACKAGE)) {
      return; // strings, numbers, enums: leaves
    }
    for (Class<?> type = value.getClass(); type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers())) {
          continue;
        }
        Object child = read(field, value);
        if (field.getName().equals("additionalProperties")) {
          if (child instanceof Map<?, ?> extra) {
            for (Object key : extra.keySet()) {
              found.add(join(path, String.valueOf(key)));
            }
          }
          continue;
        }
        walk(child, join(path, jsonName(field)), found, seen);
      }
    }
  }

  private static Object read(Field field, Object owner) {
    try {
      field.setAccessible(true);
      return field.get(owner);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot read " + field + ": " + e.getMessage(), e);
    }
  }

  private static String jsonName(Field field) {
    JsonProperty property = field.getAnnotation(JsonProperty.class);
    return property != null && !property.value().isEmpty() ? property.value() : field.getName();
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
