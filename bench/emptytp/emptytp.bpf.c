// SPDX-License-Identifier: GPL-2.0
/*
 * emptytp: the floor of bench/overhead.  One tp_btf program that does
 * nothing on each end event maplat attaches to by default, so what a real
 * tool adds can be told from what attaching to those events costs at all
 * (the BPF trampoline into the program, and start_ns, which the series
 * takes on entry only while its end event is enabled).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/iommufd_ioas_map")
int BPF_PROG(iommufd_map)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_unmap")
int BPF_PROG(iommufd_unmap)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_copy")
int BPF_PROG(iommufd_copy)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_map")
int BPF_PROG(type1_map)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int BPF_PROG(type1_unmap)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
