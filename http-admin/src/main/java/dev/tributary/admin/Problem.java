package dev.tributary.admin;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, with our error code: every error the admin API returns.
 *
 * @param type a URI naming the kind of problem (ours: {@code urn:tributary:error:<code>})
 * @param code the protocol's {@code ErrorCode} name, or an HTTP-level code such as UNAUTHORIZED
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code) {

  public static Problem of(int status, String code, String title, String detail) {
    return new Problem("urn:tributary:error:" + code.toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
        title, status, detail, code);
  }
}
