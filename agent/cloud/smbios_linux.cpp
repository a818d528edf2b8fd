#include "agent/cloud/detect.hpp"

namespace sb::cloud {

SmbiosFields read_smbios_platform() {
    // World-readable (unlike product_serial); absent in containers and on machines without DMI.
    return read_smbios_dir("/sys/class/dmi/id");
}

}  // namespace sb::cloud
