#pragma once

// What a test server (HTTP over TCP, or a named pipe) answers to one request.

#include <string>

namespace sb::test {

struct TestResponse {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    bool hang = false;  // accept, read the request, never answer
};

}  // namespace sb::test
