package dev.tributary.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** JSON and problem+json responses, written with the shared ObjectMapper. */
final class Responses {

  static final ContentType.WithFixedCharset PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

  private final ObjectMapper mapper;

  Responses(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(StatusCodes.get(status))
          .withEntity(ContentTypes.APPLICATION_JSON, mapper.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      return problem(Problem.of(500, "UNKNOWN_SERVER_ERROR", "Internal error", "could not write the response"));
    }
  }

  HttpResponse noContent() {
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }

  HttpResponse problem(Problem problem) {
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(problem);
    } catch (JsonProcessingException e) {
      body = ("{\"status\":" + problem.status() + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return HttpResponse.create().withStatus(StatusCodes.get(problem.status())).withEntity(PROBLEM_JSON, body);
  }

  HttpResponse problem(int status, String code, String title, String detail) {
    return problem(Problem.of(status, code, title, detail));
  }
}
