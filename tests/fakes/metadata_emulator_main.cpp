// sb_metadata_emulator: the three clouds' metadata services (fakes/metadata_emulator.hpp) over HTTP, for the
// end-to-end tests. It listens on loopback or on a lab namespace's address only; one thread per connection,
// so that a GCP long poll or Azure's slow first answer holds up nobody else.
//
//   sb_metadata_emulator --listen 127.0.0.1:0 [--port-file F] [--vm-name NAME] [--azure-slow-first SECONDS]
//
// Prints "listening on HOST:PORT" when ready. Scripted with /control/... requests (see handle()).

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "fakes/metadata_emulator.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

void serve(tcp::socket socket, sb::test::MetadataEmulator& emulator) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) {
            return;
        }
        sb::test::EmulatorRequest r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        for (const auto& field : req) {
            std::string name(field.name_string());
            for (auto& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            r.headers[name] = std::string(field.value());
        }
        r.body = req.body();
        auto answer = emulator.handle(r);
        if (answer.delay.count() > 0) {
            std::this_thread::sleep_for(answer.delay);
        }
        http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
        res.set(http::field::server, "sb-metadata-emulator");
        res.set(http::field::content_type, answer.content_type);
        res.keep_alive(req.keep_alive());
        res.body() = answer.body;
        res.prepare_payload();
        http::write(socket, res, ec);
        if (ec || !req.keep_alive()) {
            return;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string listen = "127.0.0.1:0";
    std::string port_file;
    std::string vm_name = "sb-vm-0";
    double slow_first = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (flag == "--listen") {
            listen = value;
        } else if (flag == "--port-file") {
            port_file = value;
        } else if (flag == "--vm-name") {
            vm_name = value;
        } else if (flag == "--azure-slow-first") {
            slow_first = std::stod(value);
        } else {
            std::cerr << "unknown option " << flag << "\n";
            return 2;
        }
    }
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        std::cerr << "--listen HOST:PORT\n";
        return 2;
    }
    sb::test::MetadataEmulator emulator(vm_name);
    emulator.azure_slow_first = std::chrono::milliseconds(static_cast<long long>(slow_first * 1000));
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, {asio::ip::make_address(listen.substr(0, colon)),
                                 static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)))});
    auto port = acceptor.local_endpoint().port();
    if (!port_file.empty()) {
        std::ofstream(port_file) << port << "\n";
    }
    std::cout << "listening on " << listen.substr(0, colon) << ":" << port << std::endl;
    for (;;) {
        tcp::socket socket(ioc);
        acceptor.accept(socket);
        std::thread([s = std::move(socket), &emulator]() mutable { serve(std::move(s), emulator); }).detach();
    }
}
