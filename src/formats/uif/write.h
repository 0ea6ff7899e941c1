/*
 * The UIF writer (write.c): what the uif format's entry refers to.
 */
#ifndef DC_UIF_WRITE_H
#define DC_UIF_WRITE_H

#include "format.h"

/* The options a UIF target takes (dc_format_info.options). */
#define UIF_WRITE_OPTION_COUNT 1
extern const dc_format_option uif_write_options[UIF_WRITE_OPTION_COUNT];

/* dc_format.check and dc_format.write of the uif format. */
dc_status uif_check(const dc_write_job *job, dc_error *err);
dc_status uif_write(dc_write_job *job, dc_error *err);

#endif
