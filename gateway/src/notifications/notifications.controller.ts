import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { PseudonymPrincipal } from '../auth/principal';
import { AuthPseudonym } from '../auth/principal.decorator';
import { NotificationDto, NotificationQueryDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('access')
@Controller({ path: 'notifications', version: '1' })
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'What happened to your records and consents, newest first',
    description:
      'Signed in as the pseudonym your records are filed under: consents granted, revoked or ending within a week, consent requests received and denied, emergency requests (at once) and their grants, every read of your records. Poll with `since` set to the newest `at` you have.',
  })
  @Authenticated({ permission: Permission.AccessLogRead, principals: ['pseudonym'] })
  @ApiOkResponse({ type: [NotificationDto] })
  feed(@AuthPseudonym() pseudonym: PseudonymPrincipal, @Query() query: NotificationQueryDto): Promise<NotificationDto[]> {
    return this.notifications.feed(pseudonym.handle, query.since, query.limit);
  }
}
