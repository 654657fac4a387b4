/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole public API of libhostdev. */
#pragma once

#include "hostdev/context.h"
#include "hostdev/device.h"
#include "hostdev/domain.h"
#include "hostdev/format.h"
#include "hostdev/inventory.h"
#include "hostdev/iommu.h"
#include "hostdev/monitor.h"
#include "hostdev/manager.h"
#include "hostdev/mdev.h"
#include "hostdev/npiv.h"
#include "hostdev/persist.h"
#include "hostdev/record.h"
#include "hostdev/sriov.h"
