/*
 * A read error in the middle of a conversion, for tests/faults.sh:
 * LD_PRELOAD'ed, it makes pread() and pread64() on files opened read-only
 * fail with EIO once the read reaches DC_FAULT_EIO_AT bytes into the file
 * (unset: no faults).  Outputs, opened for writing, are left alone.
 * With DC_FAULT_DIRECT_EINVAL set, write() and pwrite() on a descriptor
 * in O_DIRECT mode fail with EINVAL: a file system that takes the flag but
 * refuses the writes.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t pread(int fd, void *buf, size_t count, off_t offset);
ssize_t pread64(int fd, void *buf, size_t count, off_t offset);
ssize_t write(int fd, const void *buf, size_t count);
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset);

typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);

static bool faulty(int fd, size_t count, off_t offset)
{
    const char *at = getenv("DC_FAULT_EIO_AT");
    if (at == NULL || at[0] == '\0')
        return false;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) != O_RDONLY)
        return false;
    long long limit = strtoll(at, NULL, 10);
    return count > 0 && (long long)offset + (long long)count > limit;
}

static ssize_t fail_or_call(const char *name, int fd, void *buf, size_t count,
                            off_t offset)
{
    if (faulty(fd, count, offset)) {
        errno = EIO;
        return -1;
    }
    pread_fn real = (pread_fn)(uintptr_t)dlsym(RTLD_NEXT, name);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(fd, buf, count, offset);
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
    return fail_or_call("pread", fd, buf, count, offset);
}

ssize_t pread64(int fd, void *buf, size_t count, off_t offset)
{
    return fail_or_call("pread64", fd, buf, count, offset);
}

static bool direct_refused(int fd)
{
    const char *refuse = getenv("DC_FAULT_DIRECT_EINVAL");
    int flags = fcntl(fd, F_GETFL);
    return refuse != NULL && refuse[0] != '\0' && flags >= 0 &&
           (flags & O_DIRECT) != 0;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);

ssize_t write(int fd, const void *buf, size_t count)
{
    if (direct_refused(fd)) {
        errno = EINVAL;
        return -1;
    }
    write_fn real = (write_fn)(uintptr_t)dlsym(RTLD_NEXT, "write");
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(fd, buf, count);
}

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);

static ssize_t refuse_or_pwrite(const char *name, int fd, const void *buf,
                                size_t count, off_t offset)
{
    if (direct_refused(fd)) {
        errno = EINVAL;
        return -1;
    }
    pwrite_fn real = (pwrite_fn)(uintptr_t)dlsym(RTLD_NEXT, name);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(fd, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    return refuse_or_pwrite("pwrite", fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
    return refuse_or_pwrite("pwrite64", fd, buf, count, offset);
}
