#pragma once

// What the fuzz targets share: a file in memory (the parsers under test read real paths) and a reader that
// takes control bytes off the front of an input.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sb::fuzz {

// A memfd, opened by the code under test through /proc/self/fd/N: a real path with no disk behind it.
class MemoryFile {
  public:
    explicit MemoryFile(const char* name) : fd_(memfd_create(name, 0)) {
        if (fd_ < 0) {
            std::abort();
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    ~MemoryFile() { ::close(fd_); }

    void assign(std::string_view content) {
        if (::ftruncate(fd_, 0) != 0) {
            std::abort();
        }
        std::size_t done = 0;
        while (done < content.size()) {
            auto n = ::pwrite(fd_, content.data() + done, content.size() - done, static_cast<off_t>(done));
            if (n <= 0) {
                std::abort();
            }
            done += static_cast<std::size_t>(n);
        }
    }
    const std::string& path() const { return path_; }

  private:
    int fd_;
    std::string path_;
};

// The input, with control bytes taken off its front; what is left is the text under test.
class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

    std::uint8_t byte() {
        if (rest_.empty()) {
            return 0;
        }
        auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }
    std::string_view rest() const { return rest_; }

  private:
    std::string_view rest_;
};

// Stops when a property the code under test promises does not hold: libFuzzer saves the input.
inline void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

}  // namespace sb::fuzz
