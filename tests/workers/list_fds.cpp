// Prints the descriptors open in this process (but the one reading the list), one per line.
#include <dirent.h>

#include <cstdio>
#include <cstdlib>

int main() {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return 1;
    while (const dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.' && std::atoi(entry->d_name) != dirfd(dir))
            std::printf("%s\n", entry->d_name);
    }
    closedir(dir);
    return 0;
}
