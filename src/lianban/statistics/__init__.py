"""Statistics (统计): fact tables kept current by the periodic worker, figures and 五减 read from them."""
