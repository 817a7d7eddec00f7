/*
 * bare: a program with no C library that exits at once, for launcher.sh.
 * Its exec next to /bin/true's is what a C library's start costs a
 * process here (on a VM that traps CPUID, glibc's probe of the CPU's
 * caches is most of it): a cost every launcher pays twice (its own exec,
 * the command's), whatever it does.
 */
#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n"
	"\tmov $60, %eax\n\txor %edi, %edi\n\tsyscall\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n"
	"\tmov x8, #93\n\tmov x0, #0\n\tsvc #0\n");
#else
#error "bare: x86_64 and aarch64 only"
#endif
