/* dispatch.c: which SHA-256 kernel runs, chosen once at run time.
 *
 * The table lists every kernel this binary was built with, best first; the
 * default is the first one the CPU can run.  FIND_HASH_KERNEL=NAME forces
 * one (tests run each kernel this way).  This file is compiled with the
 * baseline flags only: it must run on any CPU of the architecture.
 *
 * The CPU is asked with cpuid and xgetbv directly, as BLAKE3 and Nettle's
 * fat build do, rather than with __builtin_cpu_supports: clang 14 has no
 * "sha" feature name there, and a kernel needs the OS to save the wider
 * registers (xgetbv), not just the CPU to have them. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "kernel.h"

#ifdef FH_X86_64
#include <cpuid.h>

enum {
	FH_CPU_KNOWN = 1 << 0, /* the features below have been read */
	FH_CPU_SHANI = 1 << 1,
	FH_CPU_AVX2 = 1 << 2,
	FH_CPU_AVX512 = 1 << 3,
};

static unsigned long long xgetbv0(void)
{
	unsigned lo, hi;

	/* The opcode, not the mnemonic: it needs no -mxsave. */
	__asm__ volatile(".byte 0x0f, 0x01, 0xd0"
			 : "=a"(lo), "=d"(hi)
			 : "c"(0));
	return (unsigned long long)hi << 32 | lo;
}

static unsigned cpu_read(void)
{
	unsigned a, b, c, d, ecx1, ebx7 = 0, f = FH_CPU_KNOWN;
	unsigned long long xcr0 = 0;

	if (!__get_cpuid(1, &a, &b, &ecx1, &d))
		return f;
	if (__get_cpuid_max(0, NULL) >= 7)
		__cpuid_count(7, 0, a, ebx7, c, d);
	if (ecx1 & bit_OSXSAVE)
		xcr0 = xgetbv0();
	/* SHA-NI works on xmm registers, which every x86-64 OS saves; the
	 * kernel also uses SSSE3 and SSE4.1 shuffles. */
	if ((ebx7 & bit_SHA) && (ecx1 & bit_SSE4_1) && (ecx1 & bit_SSSE3))
		f |= FH_CPU_SHANI;
	/* xcr0 bits 1-2: the OS saves xmm and ymm state. */
	if ((ebx7 & bit_AVX2) && (xcr0 & 0x6) == 0x6)
		f |= FH_CPU_AVX2;
	/* bits 5-7 in addition: opmask and all 32 zmm registers. */
	if ((ebx7 & bit_AVX512F) && (xcr0 & 0xe6) == 0xe6)
		f |= FH_CPU_AVX512;
	return f;
}

/* cpuid traps to the hypervisor in a virtual machine, so the answer is
 * kept; two threads racing to fill it store the same value. */
static unsigned cpu_features(void)
{
	static unsigned cached;
	unsigned f = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (!f) {
		f = cpu_read();
		__atomic_store_n(&cached, f, __ATOMIC_RELAXED);
	}
	return f;
}

/* Unused when configure dropped the kernel (an older compiler). */
static int __attribute__((unused)) cpu_has_shani(void)
{
	return (cpu_features() & FH_CPU_SHANI) != 0;
}

static int __attribute__((unused)) cpu_has_avx2(void)
{
	return (cpu_features() & FH_CPU_AVX2) != 0;
}

static int __attribute__((unused)) cpu_has_avx512(void)
{
	return (cpu_features() & FH_CPU_AVX512) != 0;
}
#endif

static int cpu_has_always(void)
{
	return 1;
}

/* Best first, by the single-thread rate bench/fh-bench measured (gcc 12
 * -O2) on the two machines the project is developed on, both with AVX-512
 * and SHA-NI, Nettle's plain loop there being 13-16 MH/s:
 *   AMD Zen 5, 3.5 GHz: avx512 about 147 MH/s (23 cycles a hash), shani
 *   41, avx2 29, vec128 16, portable 5;
 *   Intel (family 6, model 207), 2.9 GHz: avx512 about 64 MH/s (43 cycles
 *   a hash, one group of 16 lanes at a time, as the kernel then was),
 *   shani 21, avx2 18, vec128 9, portable 3.7.
 * On Zen 5 avx512 is bound by the latency of its round chain, which two
 * interleaved groups hide (kernel_avx512.c); on the Intel part it was
 * bound by its vector ports (about 1240 operations per 16 lanes at two
 * 512-bit operations a cycle, the rotates on one port only).  shani is
 * bound by the SHA unit and came out ahead of avx2 in every alternating
 * run on both.  FIND_HASH_KERNEL overrides the order. */
static const struct fh_kernel kernels[] = {
#ifdef FH_KERNEL_AVX512
	{ "avx512", fh_kernel_avx512, cpu_has_avx512 },
#endif
#ifdef FH_KERNEL_SHANI
	{ "shani", fh_kernel_shani, cpu_has_shani },
#endif
#ifdef FH_KERNEL_AVX2
	{ "avx2", fh_kernel_avx2, cpu_has_avx2 },
#endif
#ifdef FH_KERNEL_VEC128
	{ "vec128", fh_kernel_vec128, cpu_has_always },
#endif
	{ "portable", fh_kernel_portable, cpu_has_always },
};

const struct fh_kernel *fh_kernel_list(size_t *n)
{
	*n = sizeof kernels / sizeof kernels[0];
	return kernels;
}

const struct fh_kernel *fh_kernel_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (strcmp(kernels[i].name, name) == 0)
			return &kernels[i];
	return NULL;
}

const struct fh_kernel *fh_kernel_default(void)
{
	const char *forced = getenv("FIND_HASH_KERNEL");
	size_t i;

	if (forced && *forced) {
		const struct fh_kernel *k = fh_kernel_find(forced);
		return k && k->cpu_has() ? k : NULL;
	}
	for (i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (kernels[i].cpu_has())
			return &kernels[i];
	return &kernels[sizeof kernels / sizeof kernels[0] - 1];
}
