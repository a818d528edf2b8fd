// The HTTP response reader every transport runs (detail::run_exchange), driven through Beast's in-memory
// test stream: status line, headers, Content-Length and chunked bodies, and the response size cap.
//
// Input: byte 0 picks how many bytes each read returns (the peer's segmentation), byte 1 the body cap;
// the rest is what the peer sends before it closes the connection.

#include <boost/asio/post.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "common/transport/http_exchange.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

constexpr std::size_t body_caps[] = {0, 1, 16, 300, 4096, 8 * 1024 * 1024};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sb::fuzz::Input input(data, size);
    auto segment = input.byte();
    auto cap = body_caps[input.byte() % std::size(body_caps)];

    boost::asio::io_context ioc;
    boost::beast::test::stream stream(ioc);
    boost::beast::test::stream peer(ioc);
    stream.connect(peer);
    stream.append(input.rest());
    stream.close_remote();  // the peer hangs up after its answer
    if (segment != 0) {
        stream.read_size(segment);
    }

    sb::HttpRequest request;
    request.target = "/v1.41/info";
    auto result = sb::detail::run_exchange(
        ioc, stream,
        [&](auto handler) {
            boost::asio::post(ioc, [handler]() mutable { handler(boost::system::error_code()); });
        },
        [&] { stream.close(); }, request, "10.213.0.1:2375", sb::Duration(5'000), cap, {});

    // The whole input is in memory: the exchange ends at once, with an answer or an error, never a timeout.
    if (result) {
        sb::fuzz::check(result->body.size() <= cap);
        sb::fuzz::check(result->status <= 999);
    } else {
        sb::fuzz::check(!result.error().timed_out && !result.error().message.empty());
    }
    // The request went out whole, as the transports send it.
    sb::fuzz::check(peer.str().starts_with("GET /v1.41/info HTTP/1.1\r\n"));
    return 0;
}
