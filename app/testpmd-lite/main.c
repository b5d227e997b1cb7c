/* testpmd-lite: forwarding and throughput tool (being written). */
int main(void) { return 0; }
