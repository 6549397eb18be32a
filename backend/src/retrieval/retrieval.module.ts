import { Module } from '@nestjs/common';
import { VectorStore } from '../vector-store/vector-store';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { KeywordRetriever, Retriever } from './retriever';

@Module({
  imports: [VectorStoreModule],
  providers: [
    {
      provide: Retriever,
      useFactory: (store: VectorStore) => new KeywordRetriever(store),
      inject: [VectorStore],
    },
  ],
  exports: [Retriever],
})
export class RetrievalModule {}
