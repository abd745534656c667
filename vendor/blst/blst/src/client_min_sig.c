/*
 * Copyright Supranational LLC
 * Licensed under the Apache License, Version 2.0, see LICENSE for details.
 * SPDX-License-Identifier: Apache-2.0
 */

#include "keygen.c"
#include "e1.c"
#include "hash_to_field.c"
#include "map_to_g1.c"
#include "e2.c"
#include "exp.c"
#include "sqrt.c"
#include "recip.c"
#include "consts.c"
#include "vect.c"
#include "exports.c"
