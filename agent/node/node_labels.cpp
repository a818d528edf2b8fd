#include "agent/node/node_labels.hpp"

#include <cctype>
#include <regex>

namespace sb {

namespace {

std::string normalize_arch(const std::string& arch) {
    if (arch == "x86_64") {
        return "amd64";
    }
    if (arch == "aarch64") {
        return "arm64";
    }
    return arch;
}

}  // namespace

std::string windows_build(const EngineInfo& info) {
    static const std::regex kernel(R"(^\s*10\.0\s+(\d{4,6})\b)");
    static const std::regex os_build(R"((?:OS )?Build (\d{4,6}))");
    static const std::regex dotted(R"(^\s*10\.0\.(\d{4,6})\b)");
    std::smatch m;
    for (const auto* text : {&info.kernel_version, &info.os_version}) {
        if (std::regex_search(*text, m, kernel) || std::regex_search(*text, m, dotted)) {
            return m[1];
        }
    }
    if (std::regex_search(info.operating_system, m, os_build)) {
        return m[1];
    }
    return {};
}

Labels platform_labels(const EngineInfo& info, const VersionInfo& version) {
    Labels labels;
    std::string os = !info.os_type.empty() ? info.os_type : version.os;
    if (!os.empty()) {
        labels["os"] = os;
    }
    std::string arch = !version.arch.empty() ? version.arch : normalize_arch(info.architecture);
    if (!arch.empty()) {
        labels["arch"] = arch;
    }
    if (os == "windows") {
        auto build = windows_build(info);
        if (!build.empty()) {
            labels["os.build"] = build;
            labels["os.version"] = "10.0." + build;
        }
    } else if (!info.os_version.empty()) {
        labels["os.version"] = info.os_version;
    } else if (!info.kernel_version.empty()) {
        labels["os.version"] = info.kernel_version;
    }
    return labels;
}

Labels wanted_labels(const EngineInfo& info, const VersionInfo& version, const Labels& configured) {
    Labels wanted = platform_labels(info, version);
    for (const auto& [k, v] : configured) {
        wanted[k] = v;
    }
    return wanted;
}

}  // namespace sb
