import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions, EntityClasses, openDataSource } from './data-source';

/** The one data source. Features' entities come from the caller, so nothing here imports a feature. */
@Module({})
export class DatabaseModule {
  static forRoot(entities: EntityClasses): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => dataSourceOptions(config.database, entities),
          dataSourceFactory: async (options) => openDataSource(options!),
        }),
      ],
    };
  }
}
