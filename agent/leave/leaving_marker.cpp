#include "agent/leave/leaving_marker.hpp"

#include <fstream>
#include <sstream>

#include "agent/state/state_file.hpp"
#include "common/error.hpp"

namespace sb {

std::filesystem::path leaving_marker_path(const Config& config) {
    auto path = config.state_file;
    path += ".leaving";
    return path;
}

void mark_leaving(const Config& config, const std::string& command) {
    auto path = leaving_marker_path(config);
    std::error_code ec;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
    }
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << nlohmann::json{{"command", command}, {"since", utc_now_rfc3339()}}.dump() << "\n";
        if (!out) {
            throw Failure(ExitCode::internal,
                          "cannot write " + path.string() +
                              ", which keeps the installed service from rejoining a node "
                              "that leaves on purpose; check that directory's permissions");
        }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        throw Failure(ExitCode::internal, "cannot write " + path.string() + ": " + ec.message());
    }
}

std::optional<std::string> leaving_reason(const Config& config) {
    std::ifstream in(leaving_marker_path(config));
    if (!in) {
        return std::nullopt;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    auto j = nlohmann::json::parse(buf.str(), nullptr, false);
    auto text = [&j](const char* key) {
        return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                      : std::string("?");
    };
    return text("command") + " since " + text("since");
}

bool clear_leaving(const Config& config) {
    std::error_code ec;
    return std::filesystem::remove(leaving_marker_path(config), ec);
}

}  // namespace sb
