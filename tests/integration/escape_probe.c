/* Syscall probes for run_escape.sh, built static so they run in any image:
 *   escape_probe ptrace PID | vmread PID | modules | writeopen PATH | reopen-exe | flip A B
 * Each prints "<what>: ok" when the call succeeded (a hole) or "<what>: <errno text>"; flip
 * swaps A and B atomically (RENAME_EXCHANGE) in a tight loop until killed, for symlink races. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int report(const char* what, long rc) {
  if (rc < 0) printf("%s: %s\n", what, strerror(errno));
  else printf("%s: ok\n", what);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "ptrace") && argc == 3) {
    pid_t pid = atoi(argv[2]);
    long rc = ptrace(PTRACE_ATTACH, pid, 0, 0);
    report("ptrace attach", rc);
    if (rc == 0) ptrace(PTRACE_DETACH, pid, 0, 0);
    return 0;
  }
  if (!strcmp(argv[1], "vmread") && argc == 3) {
    char buf[16];
    struct iovec local = {buf, sizeof buf}, remote = {(void*)0x400000, sizeof buf};
    return report("process_vm_readv", syscall(SYS_process_vm_readv, atoi(argv[2]), &local, 1, &remote, 1, 0));
  }
  if (!strcmp(argv[1], "modules")) {
    /* Garbage images: a kernel that let us in would answer ENOEXEC, not EPERM. */
    static char image[64] = "not an ELF module";
    report("init_module", syscall(SYS_init_module, image, sizeof image, ""));
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    report("finit_module", syscall(SYS_finit_module, fd, "", 0));
    return 0;
  }
  if (!strcmp(argv[1], "writeopen") && argc == 3) {
    int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
    char what[300];
    snprintf(what, sizeof what, "open %s for writing", argv[2]);
    report(what, fd);
    if (fd >= 0 && write(fd, "", 0) < 0) perror("write");
    return 0;
  }
  if (!strcmp(argv[1], "reopen-exe")) {
    /* CVE-2019-5736's move: an O_PATH handle on pid 1's binary reopened for writing. */
    int fd = open("/proc/1/exe", O_PATH | O_CLOEXEC);
    report("open /proc/1/exe O_PATH", fd);
    if (fd < 0) return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return report("reopen it for writing", open(path, O_WRONLY | O_CLOEXEC));
  }
  if (!strcmp(argv[1], "flip") && argc == 4) {
    /* renameat2(2) by number: the static libc may predate its wrapper. */
    if (syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 2 /* RENAME_EXCHANGE */) != 0)
      return report("flip", -1);
    for (;;) syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 2);
  }
  return 2;
}
