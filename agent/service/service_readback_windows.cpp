// Windows: `service status` reads back what the SCM really keeps (QueryServiceStatusEx, QueryServiceConfigW,
// QueryServiceConfig2W): wine's SCM, for one, accepts settings that it then does not keep.

#include <windows.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/service/scm_windows.hpp"
#include "agent/service/service_status.hpp"
#include "common/error.hpp"
#include "common/win32.hpp"

namespace sb::service {

namespace {

using scm::fail;
using scm::open_scm;
using scm::query;
using scm::ScHandle;

std::string state_text(DWORD state) {
    switch (state) {
        case SERVICE_STOPPED:
            return "stopped";
        case SERVICE_START_PENDING:
            return "start pending";
        case SERVICE_STOP_PENDING:
            return "stop pending";
        case SERVICE_RUNNING:
            return "running";
        case SERVICE_CONTINUE_PENDING:
            return "continue pending";
        case SERVICE_PAUSE_PENDING:
            return "pause pending";
        case SERVICE_PAUSED:
            return "paused";
        default:
            return "state " + std::to_string(state);
    }
}

std::string start_type_text(DWORD type) {
    switch (type) {
        case SERVICE_AUTO_START:
            return "auto";
        case SERVICE_DEMAND_START:
            return "demand";
        case SERVICE_DISABLED:
            return "disabled";
        case SERVICE_BOOT_START:
            return "boot";
        case SERVICE_SYSTEM_START:
            return "system";
        default:
            return "type " + std::to_string(type);
    }
}

std::string action_text(SC_ACTION_TYPE type) {
    switch (type) {
        case SC_ACTION_NONE:
            return "none";
        case SC_ACTION_RESTART:
            return "restart";
        case SC_ACTION_REBOOT:
            return "reboot";
        case SC_ACTION_RUN_COMMAND:
            return "run command";
        default:
            return "action " + std::to_string(static_cast<int>(type));
    }
}

// One QueryServiceConfig2W level into a buffer of the size the SCM asks for. An error (wine answers 124,
// ERROR_INVALID_LEVEL, for levels its SCM does not keep) is recorded as the reason it was not verifiable.
bool query_config2(SC_HANDLE service, DWORD level, const char* level_name, std::vector<BYTE>& buffer,
                   nlohmann::json& not_verifiable, const char* key) {
    DWORD needed = 0;
    if (!::QueryServiceConfig2W(service, level, nullptr, 0, &needed)) {
        DWORD error = ::GetLastError();
        if (error != ERROR_INSUFFICIENT_BUFFER) {
            not_verifiable[key] =
                std::string("QueryServiceConfig2W(") + level_name + "): " + win32::error_text(error);
            return false;
        }
    }
    buffer.assign(std::max<DWORD>(needed, 1), 0);
    if (!::QueryServiceConfig2W(service, level, buffer.data(), static_cast<DWORD>(buffer.size()), &needed)) {
        not_verifiable[key] =
            std::string("QueryServiceConfig2W(") + level_name + "): " + win32::error_text(::GetLastError());
        return false;
    }
    return true;
}

}  // namespace

ServiceReadback read_back(const std::string& name) {
    ServiceReadback out;
    auto& settings = out.settings;
    settings["manager"] = "Windows service control manager";
    auto scm = open_scm(SC_MANAGER_CONNECT);
    ScHandle service(
        ::OpenServiceW(scm.get(), win32::widen(name).c_str(), SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS));
    if (!service) {
        DWORD error = ::GetLastError();
        if (error == ERROR_SERVICE_DOES_NOT_EXIST) {
            return out;
        }
        fail("cannot open the service " + name, error);
    }
    out.installed = true;
    auto status = query(service.get());
    settings["state"] = state_text(status.dwCurrentState);
    if (status.dwProcessId != 0) {
        settings["pid"] = status.dwProcessId;
    }

    DWORD needed = 0;
    std::vector<BYTE> buffer;
    if (!::QueryServiceConfigW(service.get(), nullptr, 0, &needed) &&
        ::GetLastError() == ERROR_INSUFFICIENT_BUFFER) {
        buffer.assign(needed, 0);
    }
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (!buffer.empty() &&
        ::QueryServiceConfigW(service.get(), config, static_cast<DWORD>(buffer.size()), &needed)) {
        settings["start_type"] = start_type_text(config->dwStartType);
        settings["command"] = win32::narrow(config->lpBinaryPathName ? config->lpBinaryPathName : L"");
        settings["display_name"] = win32::narrow(config->lpDisplayName ? config->lpDisplayName : L"");
        // LocalSystem: the SCM reports the account as "LocalSystem" (an empty name when set by default).
        std::wstring account = config->lpServiceStartName ? config->lpServiceStartName : L"";
        settings["account"] = account.empty() ? std::string("LocalSystem") : win32::narrow(account);
        auto deps = nlohmann::json::array();
        for (const wchar_t* d = config->lpDependencies; d != nullptr && *d != L'\0'; d += wcslen(d) + 1) {
            deps.push_back(win32::narrow(d));  // a group dependency keeps its leading '+'
        }
        settings["dependencies"] = deps;
    } else {
        out.not_verifiable["start_type"] = "QueryServiceConfigW: " + win32::error_text(::GetLastError());
    }

    std::vector<BYTE> info;
    if (query_config2(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
                      "SERVICE_CONFIG_DELAYED_AUTO_START_INFO", info, out.not_verifiable,
                      "delayed_auto_start")) {
        settings["delayed_auto_start"] =
            reinterpret_cast<SERVICE_DELAYED_AUTO_START_INFO*>(info.data())->fDelayedAutostart != FALSE;
    }
    if (query_config2(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, "SERVICE_CONFIG_FAILURE_ACTIONS", info,
                      out.not_verifiable, "failure_actions")) {
        const auto* f = reinterpret_cast<SERVICE_FAILURE_ACTIONSW*>(info.data());
        nlohmann::json actions = nlohmann::json::array();
        for (DWORD i = 0; i < f->cActions && f->lpsaActions != nullptr; ++i) {
            actions.push_back(
                {{"type", action_text(f->lpsaActions[i].Type)}, {"delay_ms", f->lpsaActions[i].Delay}});
        }
        settings["failure_actions"] = {{"reset_period_s", f->dwResetPeriod}, {"actions", actions}};
    }
    if (query_config2(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS_FLAG,
                      "SERVICE_CONFIG_FAILURE_ACTIONS_FLAG", info, out.not_verifiable,
                      "restart_on_nonzero_exit")) {
        settings["restart_on_nonzero_exit"] =
            reinterpret_cast<SERVICE_FAILURE_ACTIONS_FLAG*>(info.data())->fFailureActionsOnNonCrashFailures !=
            FALSE;
    }
    if (query_config2(service.get(), SERVICE_CONFIG_DESCRIPTION, "SERVICE_CONFIG_DESCRIPTION", info,
                      out.not_verifiable, "description")) {
        const auto* d = reinterpret_cast<SERVICE_DESCRIPTIONW*>(info.data());
        settings["description"] = win32::narrow(d->lpDescription ? d->lpDescription : L"");
    }
    return out;
}

}  // namespace sb::service
