#include "common/engine_api.hpp"

namespace sb {

namespace {

bool has(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

}  // namespace

std::string_view to_string(ApiErrorKind kind) {
    switch (kind) {
        case ApiErrorKind::unreachable:
            return "unreachable";
        case ApiErrorKind::tls:
            return "tls";
        case ApiErrorKind::unauthorized:
            return "unauthorized";
        case ApiErrorKind::not_manager:
            return "not-manager";
        case ApiErrorKind::no_leader:
            return "no-leader";
        case ApiErrorKind::already_in_swarm:
            return "already-in-swarm";
        case ApiErrorKind::not_in_swarm:
            return "not-in-swarm";
        case ApiErrorKind::invalid_token:
            return "invalid-token";
        case ApiErrorKind::ca_mismatch:
            return "ca-mismatch";
        case ApiErrorKind::manager_unreachable:
            return "manager-unreachable";
        case ApiErrorKind::join_in_background:
            return "join-in-background";
        case ApiErrorKind::not_found:
            return "not-found";
        case ApiErrorKind::out_of_sequence:
            return "out-of-sequence";
        case ApiErrorKind::manager_must_force:
            return "manager-must-force";
        case ApiErrorKind::not_down:
            return "not-down";
        case ApiErrorKind::api_version:
            return "api-version";
        case ApiErrorKind::bad_request:
            return "bad-request";
        case ApiErrorKind::other:
            return "other";
    }
    return "other";
}

ApiErrorKind classify(int status, std::string_view m) {
    // The message decides first where the engine reuses a status for different meanings.
    if (has(m, "does not have a leader") || has(m, "lost leader status")) {
        return ApiErrorKind::no_leader;
    }
    if (has(m, "update out of sequence")) {
        return ApiErrorKind::out_of_sequence;
    }
    if (has(m, "remote CA does not match fingerprint")) {
        return ApiErrorKind::ca_mismatch;
    }
    // A garbled token fails its checksum before any network traffic ("invalid checksum digest length").
    if (has(m, "valid join token is necessary") || has(m, "invalid join token") ||
        has(m, "checksum digest")) {
        return ApiErrorKind::invalid_token;
    }
    if (has(m, "already part of a swarm")) {
        return ApiErrorKind::already_in_swarm;
    }
    if (has(m, "is not part of a swarm")) {
        return ApiErrorKind::not_in_swarm;
    }
    if (has(m, "participating as a manager")) {
        return ApiErrorKind::manager_must_force;
    }
    if (has(m, "not a swarm manager")) {
        return ApiErrorKind::not_manager;
    }
    if (has(m, "Timeout was reached before node joined")) {
        return ApiErrorKind::join_in_background;
    }
    if (status == 503 &&
        (has(m, "Error while dialing") || has(m, "connection error") || has(m, "Unavailable"))) {
        return ApiErrorKind::manager_unreachable;
    }
    if (has(m, "is not down and can't be removed")) {
        return ApiErrorKind::not_down;
    }
    if (has(m, "client version") && (has(m, "too new") || has(m, "too old"))) {
        return ApiErrorKind::api_version;
    }
    if (status == 404 && !has(m, "page not found")) {
        return ApiErrorKind::not_found;
    }
    if (status == 401 || status == 403) {
        return ApiErrorKind::unauthorized;
    }
    if (status >= 400 && status < 500) {
        return ApiErrorKind::bad_request;
    }
    return ApiErrorKind::other;
}

ApiError api_error_from_transport(const TransportError& e) {
    ApiError err;
    err.message = e.message;
    err.timed_out = e.timed_out;
    err.stopped = e.stopped;
    err.kind = e.tls ? ApiErrorKind::tls : ApiErrorKind::unreachable;
    return err;
}

std::string ApiError::describe() const {
    if (status == 0) {
        return message;
    }
    return std::to_string(status) + " " + message;
}

}  // namespace sb
