#pragma once

// Windows: what the service's installer and its read-back share: an owned SCM handle, opening the SCM, a
// service's status, and the one way an SCM error becomes a Failure.

#include <windows.h>

#include <string>
#include <utility>

#include "common/error.hpp"
#include "common/win32.hpp"

namespace sb::service::scm {

class ScHandle {
  public:
    explicit ScHandle(SC_HANDLE h = nullptr) : h_(h) {}
    ScHandle(ScHandle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    ScHandle& operator=(ScHandle&& o) noexcept {
        if (this != &o) {
            close();
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    ScHandle(const ScHandle&) = delete;
    ScHandle& operator=(const ScHandle&) = delete;
    ~ScHandle() { close(); }
    SC_HANDLE get() const { return h_; }
    explicit operator bool() const { return h_ != nullptr; }

  private:
    void close() {
        if (h_ != nullptr) {
            ::CloseServiceHandle(h_);
        }
    }
    SC_HANDLE h_;
};

[[noreturn]] inline void fail(const std::string& what, DWORD error) {
    std::string hint;
    if (error == ERROR_ACCESS_DENIED) {
        hint = "; run it from an elevated (Administrator) prompt";
    }
    throw Failure(error == ERROR_ACCESS_DENIED ? ExitCode::usage : ExitCode::internal,
                  what + ": " + win32::error_text(error) + hint);
}

inline ScHandle open_scm(DWORD access) {
    ScHandle scm(::OpenSCManagerW(nullptr, nullptr, access));
    if (!scm) {
        fail("cannot open the service control manager", ::GetLastError());
    }
    return scm;
}

inline SERVICE_STATUS_PROCESS query(SC_HANDLE service) {
    SERVICE_STATUS_PROCESS s{};
    DWORD needed = 0;
    if (!::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&s), sizeof s,
                                &needed)) {
        fail("cannot query the service", ::GetLastError());
    }
    return s;
}

}  // namespace sb::service::scm
