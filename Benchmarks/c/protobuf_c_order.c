// protobuf-c alone on the benchmark order: the floor under swift-rpc's codec (see BENCHMARKS.md).
#include "order/v1/order.pb-c.h"
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
static double now(){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec*1e9+t.tv_nsec;}
int main(){
  Order__V1__Order o = ORDER__V1__ORDER__INIT;
  Order__V1__LineItem items[10]; Order__V1__LineItem *ptrs[10]; char skus[10][16];
  for(int i=0;i<10;i++){ order__v1__line_item__init(&items[i]); sprintf(skus[i],"SKU-%d",1000+i); items[i].sku=skus[i]; items[i].quantity=i+1; items[i].unit_price_cents=1999+i; ptrs[i]=&items[i];}
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT; ts.seconds=1700000000; ts.nanos=123456789;
  o.id="0f8e3c1a-6f4b-4c7e-9a57-1d2b3c4d5e6f"; o.user_id="b1946ac9-2b3c-4d5e-8f9a-0b1c2d3e4f5a"; o.n_items=10; o.items=ptrs; o.status=1; o.total_cents=123; o.create_time=&ts; o.request_id="checkout-2026-11-22-0001";
  uint8_t buf[1024]; size_t n=0; int N=200000;
  double t0=now(); for(int i=0;i<N;i++){ size_t s=order__v1__order__get_packed_size(&o); n=order__v1__order__pack(&o,buf); (void)s;} double t1=now();
  printf("pack (size+pack) %.0f ns, %zu bytes\n",(t1-t0)/N,n);
  t0=now(); for(int i=0;i<N;i++){ Order__V1__Order *m=order__v1__order__unpack(NULL,n,buf); order__v1__order__free_unpacked(m,NULL);} t1=now();
  printf("unpack+free (malloc) %.0f ns\n",(t1-t0)/N);
}
